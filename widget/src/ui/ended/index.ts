/**
 * Entry of the lazy chunk (end-<hash>.js): the confirmation of "End chat",
 * the card of an ended chat and its rating. ui/ending.ts loads it the first
 * time it is needed (ui/lazy.ts) and gets `ended` through the <script>.
 */
import { handOver } from '../hand';
import { ended } from './card';

handOver(ended);
