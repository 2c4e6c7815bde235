"""Which record ids a URL or a filter may name: digits only, at most 18 of them.

Every primary key is a 64-bit integer in SQLite and PostgreSQL; a longer number could never match a row and
would overflow the database's integer on the way (a 500). Paths, filters and the API schema use this one
bound, so an id that cannot exist answers 404 (in a path) or 400 naming the parameter (in a filter).
"""

ID_DIGITS = 18
ID_MAX = 10**ID_DIGITS - 1
ID_PATTERN = rf"[0-9]{{1,{ID_DIGITS}}}"
