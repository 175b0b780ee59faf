module a2a-bridge/testdata/peers/gov2

go 1.25.0

require github.com/a2aproject/a2a-go/v2 v2.3.1 // indirect
