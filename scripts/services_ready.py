"""Exit 0 when the PostgreSQL server and Redis named on the command line answer."""

import sys
from urllib.parse import urlparse

import psycopg
import redis


def main(pg_url: str, redis_url: str) -> int:
    parsed = urlparse(pg_url)
    try:
        psycopg.connect(
            host=parsed.hostname,
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password,
            dbname="postgres",
            connect_timeout=3,
        ).close()
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:
        print(f"services not ready: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
