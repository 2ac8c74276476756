import './base.css';
import './extra.css';
import './snapshot.css';
import './untrusted.css';
import './experiment.css';
import './editing.css';
import './statusbar.css';
