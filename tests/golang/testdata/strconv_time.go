package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func main() {
	quotes := []string{"", "abc", "a\"b\\c", "tab\there\nnl", "\x00\x07\x7f", "\u00a0 nbsp", "\u2028\u2029", "é ü", "\U0001F600", "\xff\xfe bad", "<a&b>", "\ufeff", "\u0378"}
	for _, s := range quotes {
		j, _ := json.Marshal(s)
		fmt.Printf("quote\t%q\t%s\t%s\t%v\t%s\n", s, strconv.Quote(s), strconv.QuoteToASCII(s), strconv.CanBackquote(s), j)
	}
	ints := []string{"0", "1", "-1", "+5", "0x1F", "0X1f", "0b101", "0o17", "017", "08", "1_000", "_1", "1__0", "0x_1F", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "", " 1", "1.0", "0x", "abc", "١"}
	for _, s := range ints {
		for _, base := range []int{0, 10, 16} {
			v, err := strconv.ParseInt(s, base, 64)
			u, uerr := strconv.ParseUint(s, base, 64)
			fmt.Printf("int\t%s\t%d\t%d\t%s\t%d\t%s\n", s, base, v, errText(err), u, errText(uerr))
		}
		a, aerr := strconv.Atoi(s)
		fmt.Printf("atoi\t%s\t%d\t%s\n", s, a, errText(aerr))
	}
	floats := []string{"1", "1.5", "-2.5e3", ".5", "5.", "1e", "1e+", "0x1p-2", "0x1.8p1", "0x1", "inf", "-Inf", "+infinity", "NaN", "+nan", "1_000.5", "1e400", "-1e400", "3.4e39", "", "abc", "1.5e-7", "0.000_1"}
	for _, s := range floats {
		for _, bits := range []int{64, 32} {
			v, err := strconv.ParseFloat(s, bits)
			fmt.Printf("float\t%s\t%d\t%s\t%s\n", s, bits, strconv.FormatFloat(v, 'g', -1, bits), errText(err))
		}
	}
	for _, s := range []string{"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False", "yes", "", "tRUE"} {
		v, err := strconv.ParseBool(s)
		fmt.Printf("bool\t%s\t%v\t%s\n", s, v, errText(err))
	}
	for _, s := range []string{"1s", "1.5h", "-2m3s", "+0", "0", "", "1", "1x", ".5ms", "5.", "1µs", "1us", "1ns", "9223372036854775807ns", "9223372036854775808ns", "2562047h47m16.854775807s", "2562048h", "1h2m3.000000001s", "-", "s", "1.s", "0.0000000001s", "\xff"} {
		d, err := time.ParseDuration(s)
		fmt.Printf("duration\t%q\t%d\t%s\t%s\n", s, int64(d), d.String(), errText(err))
	}
}
