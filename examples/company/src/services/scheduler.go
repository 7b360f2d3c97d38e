// Package scheduler assigns queued missions to robots on a site.
//
// The scheduler runs once per second per site. It scores every (mission,
// idle robot) pair by travel distance, battery level and mission priority and
// solves the assignment greedily, which is within a few percent of optimal
// for the fleet sizes we see (< 60 robots per site).
package scheduler

import (
	"context"
	"errors"
	"math"
	"sort"
	"time"
)

// ErrTimeout mirrors ERR_TIMEOUT from the robot firmware: the robot did not
// acknowledge an assignment in time and the mission goes back to the queue.
var ErrTimeout = errors.New("ERR_TIMEOUT: robot did not acknowledge assignment")

const (
	// Robots below this battery level are sent to charge instead of working.
	minBatteryPct = 20
	// Missions waiting longer than this are boosted to high priority.
	starvationAge = 10 * time.Minute
	ackDeadline   = 5 * time.Second
)

type Priority int

const (
	Low Priority = iota
	Normal
	High
)

type Point struct{ X, Y float64 }

type Robot struct {
	ID         string // e.g. "NR-200-00417"
	Model      string
	Pos        Point
	BatteryPct int
	MaxPayload float64 // kg: 60 for NR-200, 500 for NR-500
	Idle       bool
}

type Mission struct {
	ID        string
	Pickup    Point
	PayloadKg float64
	Priority  Priority
	Created   time.Time
}

type Assignment struct {
	MissionID string
	RobotID   string
	Score     float64
}

// Dispatcher sends an assignment to a robot and waits for its acknowledgement.
type Dispatcher interface {
	Dispatch(ctx context.Context, a Assignment) error
}

func distance(a, b Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

// score is lower-is-better: metres to pickup, penalised for low battery,
// discounted for high-priority or starving missions.
func score(r Robot, m Mission, now time.Time) float64 {
	s := distance(r.Pos, m.Pickup)
	s *= 1 + float64(100-r.BatteryPct)/200
	p := m.Priority
	if now.Sub(m.Created) > starvationAge {
		p = High
	}
	switch p {
	case High:
		s *= 0.5
	case Low:
		s *= 1.5
	}
	return s
}

// Plan computes assignments for one tick. It never assigns a mission to a
// robot that cannot carry the payload or whose battery is below minBatteryPct.
func Plan(robots []Robot, missions []Mission, now time.Time) []Assignment {
	type cand struct {
		a    Assignment
		r, m int
	}
	var cands []cand
	for ri, r := range robots {
		if !r.Idle || r.BatteryPct < minBatteryPct {
			continue
		}
		for mi, m := range missions {
			if m.PayloadKg > r.MaxPayload {
				continue
			}
			cands = append(cands, cand{Assignment{m.ID, r.ID, score(r, m, now)}, ri, mi})
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].a.Score < cands[j].a.Score })

	usedR := make(map[int]bool)
	usedM := make(map[int]bool)
	var out []Assignment
	for _, c := range cands {
		if usedR[c.r] || usedM[c.m] {
			continue
		}
		usedR[c.r], usedM[c.m] = true, true
		out = append(out, c.a)
	}
	return out
}

// Run dispatches a plan. Assignments that time out are returned so the caller
// can requeue their missions on the next tick.
func Run(ctx context.Context, d Dispatcher, plan []Assignment) (requeue []string, err error) {
	for _, a := range plan {
		actx, cancel := context.WithTimeout(ctx, ackDeadline)
		derr := d.Dispatch(actx, a)
		cancel()
		switch {
		case derr == nil:
		case errors.Is(derr, ErrTimeout), errors.Is(derr, context.DeadlineExceeded):
			requeue = append(requeue, a.MissionID)
		default:
			return requeue, derr
		}
	}
	return requeue, nil
}
