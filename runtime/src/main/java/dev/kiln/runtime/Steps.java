package dev.kiln.runtime;

import dev.kiln.runtime.internal.BatchData;
import dev.kiln.runtime.internal.NetworkInfo;
import dev.kiln.runtime.internal.StepNetwork;

/** The one time step that {@link ModelCore#step} and {@link Inference#step} share: checks, then the step program. */
final class Steps {
  private Steps() {}

  static RecurrentState newState(NetworkInfo info, StepNetwork program, int batch) {
    if (batch < 1 || batch > program.maxBatch()) {
      throw new IllegalArgumentException("a state carries 1 to " + program.maxBatch() + " sequences (the model's"
          + " maxBatch), not " + batch);
    }
    return new RecurrentState(info, program.stateWidths(), batch);
  }

  static void step(NetworkInfo info, StepNetwork program, RecurrentState state, float[] input, float[] output,
      boolean checkInputs) {
    if (info.inputs().size() != 1) {
      throw new UnsupportedOperationException(info.name() + " has " + info.inputs().size()
          + " inputs; step takes single-input networks");
    }
    java.util.Objects.requireNonNull(state, "state");
    state.requireNetwork(info);
    int n = state.batch();
    int inputWidth = program.stepInputWidth(0);
    int outputWidth = program.stepOutputWidth();
    if (input == null || input.length != n * inputWidth) {
      throw new IllegalArgumentException("a step's input has " + inputWidth + " values per sequence, " + n
          + " sequences: " + n * inputWidth + " values, not " + (input == null ? "none" : input.length));
    }
    if (output == null || output.length != n * outputWidth) {
      throw new IllegalArgumentException("a step's output has " + outputWidth + " values per sequence, " + n
          + " sequences: " + n * outputWidth + " values, not " + (output == null ? "none" : output.length));
    }
    if (checkInputs) {
      BatchData.checkFinite(input, 0, input.length, "step input", -1);
    }
    System.arraycopy(input, 0, program.inputBuffer(0), 0, input.length);
    program.runStep(n, state.values);
    System.arraycopy(program.outputBuffer(), 0, output, 0, output.length);
  }
}
