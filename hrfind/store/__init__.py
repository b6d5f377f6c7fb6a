"""The compiled store: what the data files hold, kept in SQLite so that a query reads only what it needs."""
