from regulars.identity.service import SERVICE
from regulars.shared.service import run

run(SERVICE)
