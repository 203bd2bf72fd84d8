// The benchmark input: a generated multi-stage Dockerfile of a requested length.

/** `generateDockerfile` writes a multi-stage Dockerfile of about `lines` lines using every common construct. */
export function generateDockerfile(lines: number): string {
  const out: string[] = ['# syntax=docker/dockerfile:1', 'ARG GO_VERSION=1.22', 'ARG BASE=alpine:3.20'];
  let stage = 0;
  while (out.length < lines) {
    out.push(`FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION} AS s${stage}`);
    out.push('ARG TARGETOS TARGETARCH');
    out.push(`ENV APP=app${stage} CGO_ENABLED=0 PATH=/go/bin:$PATH`);
    out.push(`WORKDIR /src/$APP`);
    out.push('COPY --link go.mod go.sum ./');
    out.push('RUN --mount=type=cache,target=/go/pkg/mod \\', '    --mount=type=cache,target=/root/.cache/go-build \\', '    go mod download');
    for (let i = 0; i < 20; i++) out.push(`COPY pkg${i}/ ./pkg${i}/`);
    out.push('RUN <<EOF', 'set -eux', 'GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/$APP .', 'EOF');
    out.push(`LABEL org.opencontainers.image.title="\${APP}" stage=${stage}`);
    if (stage > 0) out.push(`COPY --from=s${stage - 1} /out /prev`);
    stage++;
  }
  out.push('FROM ${BASE}');
  for (let i = 0; i < stage; i += 10) out.push(`COPY --from=s${i} /out/app${i} /usr/local/bin/`);
  out.push('ENTRYPOINT ["/usr/local/bin/app0"]');
  return `${out.join('\n')}\n`;
}
