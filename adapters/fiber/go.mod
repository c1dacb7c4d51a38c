module github.com/sesskit/sesskit/adapters/fiber

go 1.26.0

require github.com/sesskit/sesskit/core v0.0.0

replace github.com/sesskit/sesskit/core => ../../core
