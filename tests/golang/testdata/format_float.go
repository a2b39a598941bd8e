package main

import (
	"fmt"
	"strconv"
)

func main() {
	fs := []float64{0, 1, -0.0, 1000000, 1e20, 1e21, 123456789, 1.5e-7, 0.0001, 100000, 2.5, 3.14159, 1.0 / 3, 5e-324, 1.7976931348623157e308, 0.1, 123.456, 1e-5, 65504.5, 3.4e38, 16777217}
	fmts := []byte{'g', 'e', 'f', 'G', 'E', 'x', 'b'}
	for _, f := range fs {
		for _, bits := range []int{64, 32} {
			for _, c := range fmts {
				for _, p := range []int{-1, 0, 1, 3, 8} {
					fmt.Printf("%v\t%c\t%d\t%d\t%s\n", strconv.FormatFloat(f, 'g', -1, 64), c, p, bits, strconv.FormatFloat(f, c, p, bits))
				}
			}
		}
	}
}
