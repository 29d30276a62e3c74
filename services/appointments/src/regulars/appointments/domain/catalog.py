"""What the business describes: services, staff, hours, time off, products (R-A5)."""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from regulars.shared.contracts.dates import Moment


def _currency(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError("use an ISO 4217 code such as EUR")
    return value


Currency = Annotated[str, AfterValidator(_currency)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class IntakeQuestion(BaseModel):
    """A question asked when booking; answers are kept per client and pre-filled (R-I10)."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")]
    label: Name
    kind: Literal["text", "yes_no", "choice"] = "text"
    choices: list[str] = Field(default_factory=list, max_length=20)
    required: bool = False

    @model_validator(mode="after")
    def _choices_for_choice(self) -> IntakeQuestion:
        if self.kind == "choice" and not self.choices:
            raise ValueError("a choice question needs choices")
        return self


class ServiceSpec(BaseModel):
    name: Name
    description: str = Field(default="", max_length=2000)
    category: str = Field(default="", max_length=100)
    duration_minutes: int = Field(ge=5, le=24 * 60)
    buffer_minutes: int = Field(default=0, ge=0, le=240)
    price_minor: int = Field(ge=0, le=10**9)
    currency: Currency
    staff_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    online_booking: bool = True
    prepayment_required: bool = False
    intake_questions: list[IntakeQuestion] = Field(default_factory=list, max_length=30)
    active: bool = True

    @model_validator(mode="after")
    def _unique_questions(self) -> ServiceSpec:
        ids = [q.id for q in self.intake_questions]
        if len(ids) != len(set(ids)):
            raise ValueError("intake question ids must be unique")
        return self


class StaffSpec(BaseModel):
    name: Name
    title: str = Field(default="", max_length=200)
    service_ids: list[uuid.UUID] | None = None
    active: bool = True


class HoursBlock(BaseModel):
    """A working block: weekday 0 (Monday) to 6, wall-clock times in the business's zone."""

    weekday: int = Field(ge=0, le=6)
    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> HoursBlock:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are wall-clock times without an offset")
        return self


class WeeklyHoursSpec(BaseModel):
    blocks: list[HoursBlock] = Field(max_length=50)

    @model_validator(mode="after")
    def _no_overlap(self) -> WeeklyHoursSpec:
        by_day: dict[int, list[HoursBlock]] = {}
        for block in self.blocks:
            by_day.setdefault(block.weekday, []).append(block)
        for blocks in by_day.values():
            blocks.sort(key=lambda b: b.start)
            for earlier, later in itertools.pairwise(blocks):
                if later.start < earlier.end:
                    raise ValueError("working blocks of one day overlap")
        return self


class TimeOffSpec(BaseModel):
    starts_at: Moment
    ends_at: Moment
    reason: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _ordered(self) -> TimeOffSpec:
        if self.starts_at >= self.ends_at:
            raise ValueError("starts_at must be before ends_at")
        return self


class ProductSpec(BaseModel):
    name: Name
    description: str = Field(default="", max_length=2000)
    price_minor: int = Field(ge=0, le=10**9)
    currency: Currency
    stock: int = Field(default=0, ge=0, le=10**6)
    active: bool = True


def as_aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("times need an offset")
    return value
