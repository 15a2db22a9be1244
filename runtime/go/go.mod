module github.com/btfgen/btfgen/runtime/go

go 1.19
