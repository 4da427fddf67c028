"""Notifications: the outbox of messages to households, volunteers and donors, and its senders."""
