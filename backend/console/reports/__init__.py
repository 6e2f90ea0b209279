"""A site's reports: how many chats, how fast they were answered and resolved, how
many were missed, and what visitors thought, per agent (and per tag), over a range
of days in the site's own time zone.

What each figure means (one place; the page, the CSV and docs/performance.md say
the same):

- **the chats of a range**: the site's conversations *started* (``created_at``) on
  the range's days, midnight to midnight in the site's time zone (``Site.time_zone``).
  A chat belongs to the day it started, whenever it was answered or closed.
- **answered**: an agent replied to the visitor (``first_agent_reply_at``; a note
  is no reply).
- **missed**: closed without any agent reply because the visitor left: they ended
  it, or the queue closed it as abandoned (``conversations.queue.abandon_gone``).
  A chat an agent closed without a word (spam) is the team's decision, not a miss.
- **unanswered**: still open or waiting, with no agent reply yet (a message left
  for later counts here until someone answers it).
- **first response**: from the chat's start to the first agent reply, for the
  answered chats. ``created_at`` never moves; ``queued_at`` does when a chat goes
  back to the queue, so it is not what the visitor waited.
- **resolution**: from the start to the close, for the answered chats now closed.
- **median and p90**: continuous percentiles (PostgreSQL's ``percentile_cont``:
  between two middle values, their interpolation), in seconds, to a tenth.
- **CSAT**: the visitor ratings (1-5, ``conversations.ratings``) of the range's
  chats: the average, and the share of 4s and 5s ("satisfied").
- **per agent**: by the chat's agent (its assignee, who had it last); chats never
  assigned are one row of their own.

Everything is counted in SQL (``figures``), never by walking rows in Python.
"""
