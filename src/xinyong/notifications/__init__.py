"""Notifications to subjects and staff (in-app list; e-mail/SMS behind one interface)."""
