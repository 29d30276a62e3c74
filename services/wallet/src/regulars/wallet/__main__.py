from regulars.shared.service import run
from regulars.wallet.service import SERVICE

run(SERVICE)
