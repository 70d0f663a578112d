package magics_test

import (
	"context"
	"fmt"
	"os"

	"github.com/gocinn/gocinn/magics"
)

// A session runs cells of magics; a Recorder keeps what they show. Every
// display has a text/plain version, which is what a console shows.
func ExampleSession_Execute() {
	s := magics.NewSession(magics.Options{Dir: os.TempDir()})
	var out magics.Recorder
	err := s.Execute(context.Background(), `
%simulate two_moons --n 1000 --seed 1 --quiet
%derive two_moons "r=sqrt(x1^2 + x2^2)"
%filter two_moons r < 0.5 --as inner
%show inner --columns theta1,r --head 0`, &out)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(out.StdoutText())
	fmt.Println(out.Displays[len(out.Displays)-1].Data["text/plain"])

	// A typo is an error that names the line and suggests the magic.
	err = s.Execute(context.Background(), "%who\n%trian --epochs 3", &out)
	fmt.Println(err)
	// Output:
	// inner: kept 315 of 1000 rows
	// inner: 315 rows × 2 columns
	// column  count  missing       min      16%    median      84%      max      mean      std
	// theta1    315        0  -0.71247  -0.3751  0.016118  0.38939   0.7136  0.020658  0.34374
	// r         315        0  0.014064  0.17992   0.32778  0.45329  0.49967   0.31657  0.12087
	// line 2: unknown magic %trian (did you mean %train?)
	// run %help for the list of magics
}
