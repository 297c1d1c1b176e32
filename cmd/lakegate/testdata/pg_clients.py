"""The Python clients a data scientist uses over lakegate's PostgreSQL
protocol: psycopg 3 (parameters, a server-side cursor that pages) and
pandas.read_sql through SQLAlchemy. Prints one line per check for
pgwire_clients_test.go.

    pg_clients.py PORT USER TOKEN ROWS
"""
import sys

import pandas as pd
import psycopg
import sqlalchemy as sa

port, user, token, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
dsn = f"host=127.0.0.1 port={port} user={user} password={token} dbname=lakegate sslmode=disable"

with psycopg.connect(dsn) as conn:
    cur = conn.execute("SELECT count(DISTINCT user_exam_id) FROM assessments.attempts WHERE exam_name = %s", ("Learning Git",))
    print("takers", cur.fetchone()[0])
    # A named cursor is DECLARE ... CURSOR and FETCH FORWARD itersize.
    with conn.cursor(name="pager") as cur:
        cur.itersize = 5000
        cur.execute("SELECT i, 'row ' || i AS label FROM range(%s) t(i)", (rows,))
        n = total = 0
        for i, label in cur:
            n, total = n + 1, total + i
    print("paged", n, total)

engine = sa.create_engine(f"postgresql+psycopg://{user}:{token}@127.0.0.1:{port}/lakegate")
df = pd.read_sql("SELECT exam_name, count(*) AS n FROM assessments.attempts GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3", engine)
print("pandas", len(df), ",".join(df.columns), df["n"].dtype)
