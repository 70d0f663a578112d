package magics

// state is what a session holds between cells. Commands keep their data
// here; every field survives a failing command.
type state struct{}

func (s *Session) initState() {}
