import './base.css';
import './extra.css';
import './snapshot.css';
