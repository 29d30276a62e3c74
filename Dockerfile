# One image for every Regulars process: identity, appointments, wallet,
# notifications, gateway, their migrations, the dev mailbox and the dev Stripe (localstripe).
# docker-compose.yml chooses the process with `command:`; docs/deploy.md explains.
#
# Build stage: install the shared package and every service (not editable) into
# a virtual environment; the runtime stage copies only that environment.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/regulars
WORKDIR /src
COPY shared/ shared/
COPY services/ services/
RUN /opt/regulars/bin/pip install \
        ./shared \
        ./services/identity \
        ./services/appointments \
        ./services/wallet \
        ./services/notifications \
        ./services/gateway \
        ./services/devmailbox \
        ./services/devstripe

FROM python:3.11-slim
ENV PATH=/opt/regulars/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    REGULARS_BIND_HOST=0.0.0.0 \
    REGULARS_LOG_JSON=true
COPY --from=build /opt/regulars /opt/regulars
# An unprivileged user; /data holds the demo file (a volume in docker-compose.yml).
RUN groupadd --system --gid 10001 regulars \
    && useradd --system --uid 10001 --gid regulars --home-dir /home/regulars --create-home \
        --shell /usr/sbin/nologin regulars \
    && mkdir /data \
    && chown regulars:regulars /data
USER regulars
WORKDIR /home/regulars
EXPOSE 8080 8101 8102 8103 8104 1025 8025 8420
CMD ["python", "-m", "regulars.gateway", "serve"]
