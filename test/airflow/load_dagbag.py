"""Loads a folder of DAG files with Airflow's own DagBag and prints what a test needs as one JSON
object on stdout: {"airflow": version, "import_errors": {file: error},
"dags": {dag_id: {"tasks": [{task_id, operator, feature?, target_features?, incremental?, shards?}], "upstream": {task_id: [ids]}}}}.
shards: the `shard` argument of each task instance ([None] for an unmapped task without one).

Usage: python load_dagbag.py DAG_FOLDER   (run with the Airflow venv's python, AIRFLOW_HOME set)
"""
from __future__ import annotations

import inspect
import json
import os
import sys


def describe(dag) -> dict:
    tasks = []
    for task in sorted(dag.tasks, key=lambda t: t.task_id):
        # A mapped task (.partial(...).expand(...)) is a MappedOperator until it runs: its operator is
        # task_type, its constructor arguments partial_kwargs, its mapped ones expand_input.value.
        mapped = getattr(task, "partial_kwargs", None)
        entry = {"task_id": task.task_id, "operator": task.task_type if mapped is not None else type(task).__name__}
        feature = (getattr(task, "params", None) or {}).get("feature")  # set on the stubs' transforms
        if feature is not None:
            entry["feature"] = feature
        arguments = mapped if mapped is not None else vars(task)
        if "target_features" in arguments:
            entry["target_features"] = list(arguments["target_features"])
            entry["incremental"] = arguments["incremental"]
            entry["shards"] = list(task.expand_input.value["shard"]) if mapped is not None else [arguments.get("shard")]
        tasks.append(entry)
    upstream = {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks}
    return {"tasks": tasks, "upstream": upstream}


def main(folder: str) -> None:
    # Airflow logs to stdout while parsing (structlog in 3.x); keep stdout for the JSON alone.
    json_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    import airflow

    try:  # Airflow 3.x home of DagBag; airflow.models.DagBag is the 2.x one (and a 3.x alias)
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:
        from airflow.models import DagBag

    # Airflow 2.x (and early 3.x) would add its example DAGs; 3.3 dropped the argument (examples
    # became a separate DAG bundle), so pass it only where it exists.
    options = {"include_examples": False} if "include_examples" in inspect.signature(DagBag).parameters else {}
    bag = DagBag(dag_folder=folder, **options)
    result = {
        "airflow": airflow.__version__,
        "import_errors": {os.path.relpath(f, folder): str(e) for f, e in bag.import_errors.items()},
        "dags": {dag_id: describe(dag) for dag_id, dag in sorted(bag.dags.items())},
    }
    json.dump(result, json_out)
    json_out.write("\n")
    json_out.flush()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
