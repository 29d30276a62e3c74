from regulars.notifications.service import SERVICE
from regulars.shared.service import run

run(SERVICE)
