from regulars.wallet.service import SERVICE
from regulars.shared.service import run

run(SERVICE)
