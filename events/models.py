"""Filled by a later issue; the app is registered so its schema tables follow the tenant lifecycle."""
