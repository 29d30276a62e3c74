"""The wallet service's own tables (the common ones come from the shared package)."""

import sqlalchemy as sa

metadata = sa.MetaData()
