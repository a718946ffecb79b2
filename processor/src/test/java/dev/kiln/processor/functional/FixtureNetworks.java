package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.ELU;
import static dev.kiln.annotations.ActivationFunction.GELU;
import static dev.kiln.annotations.ActivationFunction.GELU_TANH;
import static dev.kiln.annotations.ActivationFunction.LEAKY_RELU;
import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SELU;
import static dev.kiln.annotations.ActivationFunction.SIGMOID;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.ActivationFunction.SWISH;
import static dev.kiln.annotations.ActivationFunction.TANH;

import dev.kiln.annotations.Activation;
import dev.kiln.annotations.BatchNorm;
import dev.kiln.annotations.Dropout;
import dev.kiln.annotations.LayerNorm;
import dev.kiln.annotations.AdaGrad;
import dev.kiln.annotations.Adam;
import dev.kiln.annotations.AdamW;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Momentum;
import dev.kiln.annotations.Nesterov;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.RmsProp;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.Layer;

/**
 * The networks of processor/src/test/resources/fixtures/net_*.safetensors, declared exactly as
 * runtime/src/test/python/make_fixtures.py builds them in PyTorch. Together they cover every
 * activation, loss and optimizer.
 */
final class FixtureNetworks {
  private FixtureNetworks() {}

  @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.05, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetXor {
    @Dense(units = 2, activation = LEAKY_RELU, alpha = 0.2)
    Layer hidden();

    @Dense(units = 1)
    Layer output();
  }

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface NetIris {
    @Dense(units = 10, activation = RELU)
    Layer hidden();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = 5, loss = Loss.BINARY_CROSSENTROPY)
  @Momentum(learningRate = 0.05, momentum = 0.9)
  interface NetDeep {
    @Dense(units = 8, activation = TANH)
    Layer a();

    @Dense(units = 6)
    Layer b();

    @Activation(value = ELU, alpha = 1.0)
    Layer b_act();

    @Dense(units = 4, activation = GELU)
    Layer c();

    @Dense(units = 3, activation = SIGMOID)
    Layer output();
  }

  @Network(input = 6, loss = Loss.MEAN_ABSOLUTE_ERROR)
  @RmsProp(learningRate = 0.01, rho = 0.9, epsilon = 1e-7)
  interface NetMix {
    @Dense(units = 7, activation = SWISH)
    Layer a();

    @Dense(units = 5, activation = SELU)
    Layer b();

    @Dense(units = 4, activation = GELU_TANH)
    Layer c();

    @Dense(units = 2)
    Layer output();
  }

  @Network(input = 3, loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY)
  @AdamW(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, weightDecay = 0.1)
  interface NetSparse {
    @Dense(units = 5, activation = SIGMOID)
    Layer h();

    @Dense(units = 4, activation = SOFTMAX)
    Layer out();
  }

  @Network(input = 3, loss = Loss.MEAN_SQUARED_ERROR)
  @Nesterov(learningRate = 0.1, momentum = 0.9)
  interface NetNesterov {
    @Dense(units = 6, activation = RELU)
    Layer h();

    @Activation(TANH)
    Layer h_act();

    @Dense(units = 2, activation = SOFTMAX)
    Layer out();
  }

  @Network(input = 4, loss = Loss.BINARY_CROSSENTROPY)
  @AdaGrad(learningRate = 0.1, epsilon = 1e-7)
  interface NetAdagrad {
    @Dense(units = 3, activation = ELU, alpha = 1.0)
    Layer h();

    @Dense(units = 1, activation = SIGMOID)
    Layer out();
  }

  @Network(input = 3, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface NetTemp {
    @Dense(units = 4, activation = LEAKY_RELU, alpha = 0.1)
    Layer h();

    @Dense(units = 3, activation = SOFTMAX, temperature = 2.0)
    Layer out();
  }

  @Network(input = 6, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface NetDropout {
    @Dense(units = 10, activation = RELU, kernelL1 = 0.001)
    Layer h();

    @Dropout(0.3)
    Layer drop();

    @Dense(units = 3, activation = SOFTMAX)
    Layer out();
  }

  @Network(input = 5, loss = Loss.BINARY_CROSSENTROPY)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetBatchNorm {
    @Dense(units = 8, kernelL2 = 0.01, useBias = false)
    Layer d();

    @BatchNorm(momentum = 0.9, epsilon = 1e-3)
    Layer bn();

    @Activation(TANH)
    Layer act();

    @Dense(units = 1, activation = SIGMOID)
    Layer out();
  }

  @Network(input = 3, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface NetBnPlain {
    @Dense(units = 4, useBias = false)
    Layer d();

    @BatchNorm(momentum = 0.5, epsilon = 1e-3, center = false, scale = false)
    Layer bn();

    @Dense(units = 2, activation = SOFTMAX)
    Layer out();
  }

  @Network(input = 4, loss = Loss.MEAN_SQUARED_ERROR)
  @Momentum(learningRate = 0.05, momentum = 0.9)
  interface NetLayerNorm {
    @Dense(units = 6, kernelL1 = 0.01, kernelL2 = 0.005)
    Layer d();

    @LayerNorm(epsilon = 1e-3)
    Layer ln();

    @Activation(TANH)
    Layer act();

    @Dense(units = 2)
    Layer out();
  }

  /** PyTorch's habit: a linear output and nn.CrossEntropyLoss on the logits. */
  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY, fromLogits = true)
  @Sgd(learningRate = 0.1)
  interface NetLogits {
    @Dense(units = 6, activation = TANH)
    Layer h();

    @Dense(units = 3)
    Layer out();
  }

  @Network(input = 3, loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY, fromLogits = true)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetLogitsSparse {
    @Dense(units = 5, activation = RELU)
    Layer h();

    @Dense(units = 4)
    Layer out();
  }

  /** nn.BCEWithLogitsLoss on a linear output. */
  @Network(input = 4, loss = Loss.BINARY_CROSSENTROPY, fromLogits = true)
  @Sgd(learningRate = 0.1)
  interface NetLogitsBce {
    @Dense(units = 5, activation = ELU)
    Layer h();

    @Dense(units = 2)
    Layer out();
  }
}
