# faultline's Toxiproxy-compatible proxy as a container, for the compose layout: the Node.js
# binary that runs faultline (copied from this machine; no registry needed) and the proxy server
# bundled into one file (staged by harness/backends/docker/images.ts). The API listens on 8474.
ARG BASE_IMAGE=faultline-base:bookworm
FROM ${BASE_IMAGE}
COPY node /usr/local/bin/node
COPY proxy.mjs /opt/faultline/proxy.mjs
RUN node --version
LABEL org.faultline.contract="proxy/1"
EXPOSE 8474
CMD ["node", "/opt/faultline/proxy.mjs", "--host", "0.0.0.0", "--port", "8474"]
