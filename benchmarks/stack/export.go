package stack

// FloorScripts returns the Lua texts the floor sends, in the order they
// appear in core/redisstore/scripts.go, for the check that they are the same.
func FloorScripts() []string {
	return []string{floorLuaMillis, floorLoadLua, floorCreateLua, floorChangeLua}
}
