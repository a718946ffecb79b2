package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.Initializer.HE_NORMAL;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Add;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.LayerNorm;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/**
 * A residual MLP for Fashion-MNIST (the seeds' ResNet hint, y = F(x) + x, on dense blocks): a
 * 128-wide stem, two blocks of two Dense layers whose output is added back to the block's input
 * and layer-normalized, and a softmax head. The same network in Keras's functional API:
 *
 * <pre>{@code
 * input = keras.Input((784,), name="input")
 * stem = layers.Dense(128, activation="relu", name="stem")(input)
 * x = layers.Dense(128, activation="relu", name="block1a")(stem)
 * x = layers.Dense(128, name="block1b")(x)
 * x = layers.LayerNormalization(name="norm1")(layers.Add(name="skip1")([stem, x]))
 * ...
 * }</pre>
 */
@Network(input = 784, loss = Loss.CATEGORICAL_CROSSENTROPY)
@Adam(learningRate = 1e-3)
public interface ResidualMlp {
  @Dense(units = 128, activation = RELU, kernelInit = HE_NORMAL)
  Layer stem();

  @Dense(units = 128, activation = RELU, kernelInit = HE_NORMAL)
  Layer block1a();

  @Dense(units = 128)
  Layer block1b();

  @Add
  Layer skip1(Layer stem, Layer block1b);

  @LayerNorm
  Layer norm1();

  @Dense(units = 128, activation = RELU, kernelInit = HE_NORMAL)
  Layer block2a();

  @Dense(units = 128)
  Layer block2b();

  @Add
  Layer skip2(Layer norm1, Layer block2b);

  @LayerNorm
  Layer norm2();

  @Dense(units = 10, activation = SOFTMAX)
  Layer output();
}
