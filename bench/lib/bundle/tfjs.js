// unary_grad2 as a browser app would write it with TF.js (bundle-size entry). lib/bundle.mjs
// aliases 'tfjs-backend' to the backend package and defines BACKEND as its name.
/* global BACKEND */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import 'tfjs-backend';

export async function secondDerivative(data) {
  await tf.setBackend(BACKEND);
  const g = tf.grad((x) => tf.sum(tf.grad((y) => tf.sum(tf.tanh(y)))(x)));
  return g(tf.tensor1d(data)).data();
}
