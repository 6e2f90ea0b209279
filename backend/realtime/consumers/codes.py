"""Close codes (docs/protocol.md, "Close codes") and the constants the consumers share."""

CLOSE_HELLO_TIMEOUT = 4001
CLOSE_ABUSE = 4008
CLOSE_RESUME = 4012  # reconnect (to any process) and resume: events may have been lost
CLOSE_TRY_AGAIN = 4013  # this socket could not be served (hello failed); reconnect with backoff
CLOSE_TOO_MANY = 4029
CLOSE_TOKEN = 4401
CLOSE_FORBIDDEN = 4403
SHUTDOWN_SECONDS = 5.0  # what a stopping process gives each socket to say goodbye
OUTBOUND_MISMATCH = "frame does not match realtime.outbound:"
