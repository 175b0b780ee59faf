# a2a-bridge: a static binary on a distroless base, run as a non-root user.
#   docker build -t a2a-bridge . && docker run -p 8080:8080 a2a-bridge
# The Go of go.mod's go line, exactly (deploy/image_test.go holds them equal).
FROM golang:1.26.8 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY bridge ./bridge
COPY transform ./transform
COPY stream ./stream
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/a2a-bridge ./cmd/a2a-bridge

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/a2a-bridge /usr/local/bin/a2a-bridge
# Inside the container the bridge must listen beyond loopback; set api_keys
# (or A2A_BRIDGE_API_KEYS) before exposing it.
ENV A2A_BRIDGE_LISTEN=0.0.0.0:8080
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/a2a-bridge"]
