"""From a database row to the model that answers with it (a view, an event)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.engine import Row

M = TypeVar("M", bound=BaseModel)


def model_of(model: type[M], row: Row[Any], **values: Any) -> M:
    """``model`` validated from the row's columns of the same names; ``values`` add fields the
    row does not have, or replace those it holds in another form. Other columns are left out
    (the model must ignore extra fields: pydantic's default)."""
    return model.model_validate({**row._mapping, **values})
