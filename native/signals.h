// Signal routing: self-pipe and counting handlers (signals.cc).
#ifndef MOONBRIDGE_SIGNALS_H_
#define MOONBRIDGE_SIGNALS_H_

namespace mb {

// For a freshly forked child (async-signal-safe): resets every handler to
// SIG_DFL, closes and forgets the self-pipe, zeroes the counters. The caller
// empties the signal mask afterwards.
void ResetSignalsInChild();

}  // namespace mb

#endif  // MOONBRIDGE_SIGNALS_H_
