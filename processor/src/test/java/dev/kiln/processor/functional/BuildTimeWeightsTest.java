package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.LEAKY_RELU;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Weights;
import dev.kiln.runtime.Layer;
import org.junit.jupiter.api.Test;

/** {@code @Weights}: the generated constructor loads a resource checked against the declaration at compile time. */
class BuildTimeWeightsTest {
  /** net_xor with PyTorch's initial weights as a resource (written by make_fixtures.py). */
  @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.05, epsilon = 1e-7)
  @Weights("xor-weights.safetensors")
  interface PretrainedXor {
    @Dense(units = 2, activation = LEAKY_RELU, alpha = 0.2)
    Layer hidden();

    @Dense(units = 1)
    Layer output();
  }

  @Test
  void constructedModelHoldsTheResourcesWeightsAndPredictsAsPyTorch() throws Exception {
    Fixture fixture = Fixture.load("net_xor");
    BuildTimeWeightsTest_PretrainedXorModel model = new BuildTimeWeightsTest_PretrainedXorModel(99);
    Fixture.assertClose(fixture.file.floats("expected.output"), Fixture.flatten(model.predict(fixture.matrix("input.x"))),
        1e-5, "outputs of the @Weights model");
  }

  @Test
  void aResourceThatCannotBeFoundAtRunTimeIsAClearException() {
    BuildTimeWeightsTest_PretrainedXorModel model = new BuildTimeWeightsTest_PretrainedXorModel(99);
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> model.core().loadResource(BuildTimeWeightsTest.class, "missing.safetensors"));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("missing.safetensors not found"), e.getMessage());
  }
}
