package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.ELU;
import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SIGMOID;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.ActivationFunction.TANH;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Add;
import dev.kiln.annotations.Concatenate;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Input;
import dev.kiln.annotations.LayerNorm;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.Layer;

/**
 * The graph networks of processor/src/test/resources/fixtures/net_{residual,concat,fanout3,
 * two_inputs,dense_seq}.safetensors, declared exactly as runtime/src/test/python/make_fixtures.py
 * builds them in PyTorch (its {@code GRAPH_NETS}): skip connections (one over the network input),
 * concatenation, one layer feeding four, two inputs, and a Dense layer on a rank-2 input.
 */
final class GraphFixtureNetworks {
  private GraphFixtureNetworks() {}

  /** Two skip connections, the first over the network input. */
  @Network(input = 6, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetResidual {
    @Dense(units = 6, activation = RELU)
    Layer a();

    @Dense(units = 6)
    Layer b();

    @Add
    Layer skip1(Layer input, Layer b);

    @Dense(units = 6, activation = TANH)
    Layer c();

    @Add
    Layer skip2(Layer skip1, Layer c);

    @LayerNorm(epsilon = 1e-3)
    Layer norm();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  /** Two branches over the network input, joined. */
  @Network(input = 5, loss = Loss.MEAN_SQUARED_ERROR)
  @Sgd(learningRate = 0.1)
  interface NetConcat {
    @Dense(units = 4, activation = RELU)
    Layer left(Layer input);

    @Dense(units = 3, activation = SIGMOID)
    Layer right(Layer input);

    @Concatenate
    Layer joined(Layer left, Layer right);

    @Dense(units = 2)
    Layer output();
  }

  /** {@code trunk} feeds four layers: p, q, r and the concatenation. */
  @Network(input = 4, loss = Loss.BINARY_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface NetFanout3 {
    @Dense(units = 5, activation = TANH)
    Layer trunk();

    @Dense(units = 3, activation = RELU)
    Layer p(Layer trunk);

    @Dense(units = 3)
    Layer q(Layer trunk);

    @Dense(units = 3, activation = ELU, alpha = 1.0)
    Layer r(Layer trunk);

    @Add
    Layer sum(Layer p, Layer q, Layer r);

    @Concatenate
    Layer both(Layer sum, Layer trunk);

    @Dense(units = 2, activation = SIGMOID)
    Layer output();
  }

  /** Two inputs, in this order: {@code input.tabular}, {@code input.extra} in the fixture. */
  @Network(loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01)
  interface NetTwoInputs {
    @Input(5)
    Layer tabular();

    @Input(3)
    Layer extra();

    @Dense(units = 4, activation = RELU)
    Layer t(Layer tabular);

    @Dense(units = 4, activation = TANH)
    Layer e(Layer extra);

    @Concatenate
    Layer joined(Layer t, Layer e);

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  /** Dense on a {3, 5} sample applies to the last axis: output {3, 2}; samples are flattened row-major. */
  @Network(input = {3, 5}, loss = Loss.MEAN_SQUARED_ERROR)
  @Sgd(learningRate = 0.1)
  interface NetDenseSeq {
    @Dense(units = 4, activation = TANH)
    Layer a();

    @Dense(units = 2)
    Layer output();
  }
}
