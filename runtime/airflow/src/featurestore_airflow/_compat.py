"""One place for the imports that moved between Airflow 2 and 3."""
from __future__ import annotations

try:  # Airflow 3: operators subclass the Task SDK's BaseOperator (the models one is a deprecated alias)
    from airflow.sdk import BaseOperator
    from airflow.sdk.exceptions import AirflowException
except ImportError:  # Airflow 2.x
    from airflow.exceptions import AirflowException  # type: ignore[no-redef]
    from airflow.models.baseoperator import BaseOperator  # type: ignore[no-redef,assignment]

__all__ = ["AirflowException", "BaseOperator"]
