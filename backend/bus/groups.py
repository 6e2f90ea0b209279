"""Channel-layer group names. Built here from database ids only, never from input."""

from __future__ import annotations


def visitor(public_id: str) -> str:
    """Every widget connection (tab) of one visitor.

    Keyed by the public id (32 hex digits, from the signed token) so a widget
    can join before its hello touches the database.
    """
    if len(public_id) != 32 or not all(c in "0123456789abcdef" for c in public_id):
        raise ValueError("not a visitor public id")
    return f"papo.v.{public_id}"


def conversation(conversation_id: int) -> str:
    """Console connections watching one conversation (the assignee's always do)."""
    return f"papo.c.{int(conversation_id)}"


def site_agents(site_id: int) -> str:
    """Every console connection of every agent of a site: the live queue."""
    return f"papo.sa.{int(site_id)}"


def site_widgets(site_id: int) -> str:
    """Every widget connection of a site: agent availability."""
    return f"papo.sw.{int(site_id)}"


def agent(user_id: int) -> str:
    """Every console connection (tab) of one agent, in every process.

    ``agents.sessions`` sends ``papo.access`` here when the agent's access
    changes (logout, deactivation, a membership removed), so each socket can
    re-check and close.
    """
    return f"papo.a.{int(user_id)}"
