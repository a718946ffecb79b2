package dev.kiln.runtime;

import dev.kiln.runtime.internal.NetworkInfo;
import java.util.Arrays;

/**
 * The state one sequence (or a batch of sequences) carries from time step to time step: the
 * hidden state of every recurrent layer and an LSTM's cell state, for {@link ModelCore#step} (or
 * {@link Inference#step}). One model serves any number of independent sequences, each with a
 * state of its own; a new state is zero, the state a whole-sequence pass starts from.
 *
 * <p>Not thread-safe: a state belongs to one sequence, stepped by one thread at a time. States of a
 * model and of its {@link ModelCore#inference() inference} snapshots are interchangeable.
 */
public final class RecurrentState {
  private final NetworkInfo network;
  private final int batch;
  /** One [batch x width] array per carried state, in layer order (an LSTM's hidden, then cell state). */
  final float[][] values;

  RecurrentState(NetworkInfo network, int[] widths, int batch) {
    this.network = network;
    this.batch = batch;
    this.values = new float[widths.length][];
    for (int i = 0; i < widths.length; i++) {
      values[i] = new float[Math.multiplyExact(batch, widths[i])];
    }
  }

  /** Sequences this state carries (stepped together: each step's input holds one row per sequence). */
  public int batch() {
    return batch;
  }

  /** Back to the zero state: the next step starts a new sequence. */
  public void reset() {
    for (float[] v : values) {
      Arrays.fill(v, 0f);
    }
  }

  /** Takes over {@code other}'s values (to fork a sequence, or to go back to a saved point). */
  public void copyFrom(RecurrentState other) {
    requireSameShape(other);
    for (int i = 0; i < values.length; i++) {
      System.arraycopy(other.values[i], 0, values[i], 0, values[i].length);
    }
  }

  /** Values of every carried state, concatenated in layer order (a copy, for inspection). */
  public float[] toArray() {
    int total = 0;
    for (float[] v : values) {
      total += v.length;
    }
    float[] all = new float[total];
    int at = 0;
    for (float[] v : values) {
      System.arraycopy(v, 0, all, at, v.length);
      at += v.length;
    }
    return all;
  }

  /** Checks that this state was made for {@code info}'s network (by a model or an inference snapshot of it). */
  void requireNetwork(NetworkInfo info) {
    if (info != network) {
      throw new IllegalArgumentException(
          "this state belongs to network " + network.name() + ", not to " + info.name());
    }
  }

  private void requireSameShape(RecurrentState other) {
    other.requireNetwork(network);
    if (other.batch != batch) {
      throw new IllegalArgumentException("states of " + other.batch + " and " + batch + " sequences");
    }
  }
}
