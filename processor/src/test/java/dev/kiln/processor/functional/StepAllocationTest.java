package dev.kiln.processor.functional;

import static dev.kiln.processor.functional.AllocationTest.assertAllocatesNothing;

import dev.kiln.runtime.Inference;
import dev.kiln.runtime.RecurrentState;
import org.junit.jupiter.api.Test;

/**
 * A time step ({@code ModelCore.step}, {@code Inference.step}) allocates nothing in steady state.
 * A class of its own, so a JVM of its own (see the processor's pom): after AllocationTest's other
 * networks, C2 left a product un-intrinsified for the step's shapes (192 bytes a call, none alone).
 */
class StepAllocationTest {
  @Test
  void aTimeStepAllocatesNothing() {
    StepNetworks_CharLstmModel model = new StepNetworks_CharLstmModel(1);
    RecurrentState state = model.core().newState();
    float[] token = new float[1];
    float[] next = new float[13];
    assertAllocatesNothing(() -> {
      token[0] = (token[0] + 1) % 13;
      model.core().step(state, token, next);
    });
    StepNetworks_StackedModel stacked = new StepNetworks_StackedModel(1);
    RecurrentState three = stacked.core().newState(3);
    float[] x = new float[12];
    float[] y = new float[6];
    assertAllocatesNothing(() -> stacked.core().step(three, x, y));
    Inference inference = model.core().inference();
    RecurrentState served = inference.newState();
    assertAllocatesNothing(() -> inference.step(served, token, next));
  }

}
