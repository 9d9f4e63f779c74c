from tests.state.postgres import database, database_url, postgres_database, record_store

__all__ = ["database", "database_url", "postgres_database", "record_store"]
