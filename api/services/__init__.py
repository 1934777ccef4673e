"""Plain functions on a SQLAlchemy Session: queries, seeding. No request objects here."""
