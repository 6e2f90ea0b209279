"""Test support: a real daphne server, its seed data, and a protocol client.

Used by the live suites (backend and widget); not imported by the app.
"""
