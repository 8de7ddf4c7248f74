// A shared/ file that breaks the layering: the contract imports nothing from the project.
import { something } from '../renderer/app.ts';
import React from 'react';

export const broken = [something, React];
