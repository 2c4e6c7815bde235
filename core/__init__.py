"""The pure domain core: what a quarter is, what a status means and how progress is judged.

Nothing here imports Django or touches the database, so every rule can be read and tested on its own.
"""
