package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fully connected layer: {@code y = activation(x W + b)}, W of shape [inputs, units] (Keras's
 * kernel layout; saved as PyTorch's [units, inputs]).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Dense {
  /** {@return the number of outputs, > 0} */
  int units();

  /** {@return the activation applied to x W + b} */
  ActivationFunction activation() default ActivationFunction.LINEAR;

  /**
   * {@return the slope or scale of {@link ActivationFunction#LEAKY_RELU} (in [0, 1)) and {@link
   * ActivationFunction#ELU} (> 0); NaN means the function's default}
   */
  double alpha() default Double.NaN;

  /** {@return the softmax temperature, > 0} */
  double temperature() default 1.0;

  /** {@return how the kernel is initialized} */
  Initializer kernelInit() default Initializer.GLOROT_UNIFORM;

  /** {@return the value for {@link Initializer#CONSTANT} kernels} */
  double kernelInitValue() default 0.0;

  /**
   * {@return the L1 kernel regularization strength, >= 0} It adds {@code kernelL1 * sum(|w|)} to
   * the loss (Keras's {@code kernel_regularizer=l1(...)}; with {@link #kernelL2} both, as
   * {@code l1_l2}).
   */
  double kernelL1() default 0.0;

  /**
   * {@return the L2 kernel regularization strength, >= 0} It adds {@code kernelL2 * sum(w^2)} to
   * the loss (Keras's {@code l2(...)}).
   */
  double kernelL2() default 0.0;

  /** {@return whether the layer adds a bias} */
  boolean useBias() default true;

  /**
   * {@return whether the layer trains} False freezes the layer from the start (transfer learning):
   * its parameters are laid out with the non-trainable ones, never updated, and their gradients
   * are not computed.
   */
  boolean trainable() default true;

  /** {@return how the bias is initialized} */
  Initializer biasInit() default Initializer.ZEROS;

  /** {@return the value for {@link Initializer#CONSTANT} biases} */
  double biasInitValue() default 0.0;
}
