"""The browser view of sahel_sim: a Solara page with the real map, layers, levers, plots and a compare mode.

Start it with ``python -m sahel_sim viz [scenarios/FILE.yaml]`` or replay a finished run with
``python -m sahel_sim viz --run RESULTS_DIR/RUN_ID``. Needs the ``viz`` extra.
"""
