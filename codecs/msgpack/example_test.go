package msgpack_test

import (
	"fmt"

	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/session"
)

func ExampleCodec() {
	// A Manager takes it as session.WithCodec(msgpack.Codec{}).
	var codec session.Codec = msgpack.Codec{}

	// json tags are honoured, so structs shared with the JSON codec keep
	// their field names.
	type line struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	}
	data, err := codec.Marshal([]line{{SKU: "A1", Qty: 2}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(codec.Name(), string(codec.Tag()), codec.Valid(data))

	var cart []line
	if err := codec.Unmarshal(data, &cart); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", cart)

	var generic any
	if err := codec.Unmarshal(data, &generic); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v %T\n", generic, generic.([]any)[0].(map[string]any)["qty"])
	// Output:
	// msgpack m true
	// [{SKU:A1 Qty:2}]
	// [map[qty:2 sku:A1]] int64
}
