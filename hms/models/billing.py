"""The price list that doctors charge from."""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hms.models.base import Base


class PriceItem(Base):
    """A billable service or item with its unit price."""

    __tablename__ = "price_items"
    __table_args__ = (sa.CheckConstraint("unit_price > 0", "unit_price_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    unit_price: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    def __repr__(self) -> str:
        return f"<PriceItem {self.code} {self.unit_price}>"
