package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.ActivationFunction.TANH;

import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.Layer;

/**
 * The networks of the weighted_*.safetensors fixtures that no net_* fixture declares
 * (make_fixtures.py's SMOOTH_NET); the others reuse {@link FixtureNetworks}.
 */
final class WeightedFixtureNetworks {
  private WeightedFixtureNetworks() {}

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY, labelSmoothing = 0.1)
  @Sgd(learningRate = 0.1)
  interface NetSmooth {
    @Dense(units = 5, activation = TANH)
    Layer h();

    @Dense(units = 3, activation = SOFTMAX)
    Layer out();
  }
}
