package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fully connected recurrent layer (Keras's {@code SimpleRNN}) over a sequence [time, features]:
 * h' = activation(x W_ih + h W_hh + b). The state starts at zero for every sequence. Output [time,
 * units] with {@code returnSequences}, else the last step's [units].
 *
 * <p>Parameters: Keras's one bias, units (features + units + 1) in all. Files use PyTorch's {@code
 * nn.RNN} names and shapes ({@code weight_ih_l0} [units, features], {@code weight_hh_l0} [units,
 * units], {@code bias_ih_l0} and {@code bias_hh_l0} [units]): the two biases load as their sum and
 * save as (bias, zeros).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface SimpleRNN {
  /** {@return the size of the hidden state, > 0} */
  int units();

  /** {@return the activation: TANH, SIGMOID, RELU or LINEAR} */
  ActivationFunction activation() default ActivationFunction.TANH;

  /** {@return true for the output of every step [time, units], false for the last step's [units]} */
  boolean returnSequences() default false;

  /** {@return how W_ih starts} */
  Initializer kernelInit() default Initializer.GLOROT_UNIFORM;

  /** {@return how W_hh starts} */
  Initializer recurrentInit() default Initializer.ORTHOGONAL;

  /** {@return false to freeze the layer's parameters} */
  boolean trainable() default true;
}
